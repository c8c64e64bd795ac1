"""The branch's shared tablet: workers sign their own orders out and in with a PIN."""
