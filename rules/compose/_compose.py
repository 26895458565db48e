"""What the Compose rules share: a finding on a service, at the file and line that set the value."""

from shiplint.core.findings import Hit


def service_hit(svc, message: str, keys: tuple, what: str = "") -> Hit:
    """A hit about ``svc`` at the value under ``keys`` (for a missing value: the nearest
    enclosing key that exists, at worst the service's own key), in the file that set it."""
    path, region = svc.at(*keys)
    return Hit(f"service '{svc.name}' {message}", region, subject=f"{svc.subject}{what}", path=path)


def text(value) -> str:
    """A scalar as Compose reads it after interpolating defaults (unknown parts left empty)."""
    from shiplint.model.compose import interpolate

    return interpolate(str(value)).text.strip() if value is not None else ""
