"""The gloo-mesh-workshop program, in packages that stack one way (each imports only from those below it):

    program.py  →  security/  →  gateway/  →  apps/  →  platform/  →  core/

`program.py` alone composes them; `docs/architecture.md` draws the packages and the data flow.
"""
