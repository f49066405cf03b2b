"""Complaint: complaints to the supervision bureau (Art. 47, 51)."""
