"""The text classifier: normalisation, hashed n-gram features and a linear model."""
