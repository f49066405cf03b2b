"""The applicant portal (public): apply (Art. 27, 29), the receipt with the application number,
the lookup by number and identity digits, and the complaint to the supervision bureau (Art. 51)."""
