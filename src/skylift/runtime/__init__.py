"""The code that runs inside Lambda. STANDARD LIBRARY ONLY: copied into every package."""
