"""The working day: catalogue, instructions, orders, dispatch, check-out and check-in."""
