"""`gmw fleet render|check FLEET` (tools/fleet/__main__.py) over the fleet library (offline/fleet/)."""
