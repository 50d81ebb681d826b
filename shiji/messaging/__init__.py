"""Messages between buyer and seller, per order and per listing inquiry, with contact details redacted."""
