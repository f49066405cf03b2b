"""Report: the annual report's read model, fed from the bus with the events it counts."""
