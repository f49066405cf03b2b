"""The statutory vocabulary: rules, the working calendar and its data, dates, agencies."""
