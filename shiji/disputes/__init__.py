"""Disputes and arbitration: reasons, evidence, the seller's answer, offers, returns and the arbitrator's decision."""
