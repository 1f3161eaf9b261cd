"""Labs 4–8 and 14: the bookinfo and httpbin demo apps, the addons, and the gateways, bookinfo and
httpbin workspaces, on top of the platform. Imports from `platform` and `core`.
"""
