"""A template for the Swarm rules of the form "every stack service sets
``deploy.update_config.<key>: <wanted>``" (the default of the key is the risky choice)."""

from shiplint.rules.compose._compose import service_hit, text


def require_update_setting(project, key: str, wanted: str, default: str, consequence: str):
    """Yield a hit for each long-running service of a stack whose ``deploy.update_config.<key>``
    is not ``wanted``: on the value when it is set otherwise, on the nearest existing key when it
    is missing (the message names ``default``, what Swarm does then)."""
    if not project.is_stack:
        return
    path = ("deploy", "update_config", key)
    for svc in project.services:
        if svc.is_one_shot:
            continue
        if not text(svc.get(*path)) and svc.is_partial:
            continue  # an override fragment: its base may set it
        value = text(svc.get(*path)) or f"{default} (the default)"
        if value == wanted:
            continue
        yield service_hit(svc, f"updates with {key} {value}: {consequence}; set deploy.update_config.{key}: {wanted}",
                          path, "." + ".".join(path))
