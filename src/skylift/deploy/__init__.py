"""The deploy engine: model -> observe -> plan (pure) -> execute, for every mutating verb."""
