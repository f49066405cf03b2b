"""Review: the decision on an application (Art. 35-39) and the review steps before it."""
