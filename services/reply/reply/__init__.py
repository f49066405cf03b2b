"""Reply: the reply letter built from the decision, its delivery, and closing."""
