"""The worker's visit: check-out (出单), check-in (回单) and the overtime consent."""
