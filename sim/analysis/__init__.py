"""The bargaining space: pure functions over the engine's arrays, and the whole analysis."""
