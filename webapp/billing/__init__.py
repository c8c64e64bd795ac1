"""Money: bills (开单), receipts (收据), the daily settlement (结算)."""
