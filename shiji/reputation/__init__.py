"""Double-blind reviews, the public reputation and the seller's service score."""
