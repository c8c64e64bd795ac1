"""The company's catalogue: service items with their prices and assessment rules, materials."""
