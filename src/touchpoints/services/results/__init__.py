"""The typed results of the services: what every interface renders.

Each follows :mod:`touchpoints.core.result`; one module per capability, imported on its own
(this package imports none of them), so a command loads only the result it returns. The
modules import no engine, so a result can be built, read and rendered without it.
"""
