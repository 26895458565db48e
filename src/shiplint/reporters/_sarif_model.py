"""The part of the sarif-om object model that shiplint's SARIF uses, without importing sarif-om.

sarif-om (attrs classes generated from the SARIF 2.1.0 schema) is the model of the report, but
importing it (and attrs) costs about 70 ms, more than a whole one-Dockerfile check.  This table
keeps, for each class shiplint builds, the fields it sets and every field with a default, in the
classes' own order, with their SARIF property names and defaults; :func:`make` builds the
serialised form of an instance from it.  tests/test_sarif_model.py derives the same table from
sarif-om itself and builds every report of the corpus both ways, so the two cannot drift apart.
"""

from __future__ import annotations

#: A field without a default: the caller must set it.
REQUIRED = object()

FIELDS = {
    'SarifLog': (
        ('runs', 'runs', REQUIRED),
        ('version', 'version', REQUIRED),
        ('schema_uri', '$schema', None),
    ),
    'Run': (
        ('tool', 'tool', REQUIRED),
        ('automation_details', 'automationDetails', None),
        ('column_kind', 'columnKind', None),
        ('invocations', 'invocations', None),
        ('language', 'language', 'en-US'),
        ('newline_sequences', 'newlineSequences', ['\r\n', '\n']),
        ('original_uri_base_ids', 'originalUriBaseIds', None),
        ('results', 'results', None),
    ),
    'Tool': (
        ('driver', 'driver', REQUIRED),
    ),
    'ToolComponent': (
        ('name', 'name', REQUIRED),
        ('contents', 'contents', ['localizedData', 'nonLocalizedData']),
        ('information_uri', 'informationUri', None),
        ('language', 'language', 'en-US'),
        ('rules', 'rules', None),
        ('semantic_version', 'semanticVersion', None),
        ('version', 'version', None),
    ),
    'ReportingDescriptor': (
        ('id', 'id', REQUIRED),
        ('default_configuration', 'defaultConfiguration', None),
        ('full_description', 'fullDescription', None),
        ('help', 'help', None),
        ('help_uri', 'helpUri', None),
        ('name', 'name', None),
        ('properties', 'properties', None),
        ('short_description', 'shortDescription', None),
    ),
    'Result': (
        ('message', 'message', REQUIRED),
        ('fixes', 'fixes', None),
        ('kind', 'kind', 'fail'),
        ('level', 'level', 'warning'),
        ('locations', 'locations', None),
        ('partial_fingerprints', 'partialFingerprints', None),
        ('properties', 'properties', None),
        ('rank', 'rank', -1.0),
        ('related_locations', 'relatedLocations', None),
        ('rule_id', 'ruleId', None),
        ('rule_index', 'ruleIndex', -1),
        ('suppressions', 'suppressions', None),
    ),
    'Location': (
        ('id', 'id', -1),
        ('message', 'message', None),
        ('physical_location', 'physicalLocation', None),
    ),
    'PhysicalLocation': (
        ('artifact_location', 'artifactLocation', None),
        ('region', 'region', None),
    ),
    'ArtifactLocation': (
        ('description', 'description', None),
        ('index', 'index', -1),
        ('uri', 'uri', None),
        ('uri_base_id', 'uriBaseId', None),
    ),
    'Region': (
        ('byte_offset', 'byteOffset', -1),
        ('char_offset', 'charOffset', -1),
        ('end_column', 'endColumn', None),
        ('end_line', 'endLine', None),
        ('start_column', 'startColumn', None),
        ('start_line', 'startLine', None),
    ),
    'Message': (
        ('text', 'text', None),
    ),
    'Notification': (
        ('message', 'message', REQUIRED),
        ('level', 'level', 'warning'),
        ('locations', 'locations', None),
    ),
    'Invocation': (
        ('execution_successful', 'executionSuccessful', REQUIRED),
        ('tool_execution_notifications', 'toolExecutionNotifications', None),
    ),
    'Suppression': (
        ('kind', 'kind', REQUIRED),
        ('justification', 'justification', None),
    ),
    'Fix': (
        ('artifact_changes', 'artifactChanges', REQUIRED),
        ('description', 'description', None),
        ('properties', 'properties', None),
    ),
    'ArtifactChange': (
        ('artifact_location', 'artifactLocation', REQUIRED),
        ('replacements', 'replacements', REQUIRED),
    ),
    'Replacement': (
        ('deleted_region', 'deletedRegion', REQUIRED),
        ('inserted_content', 'insertedContent', None),
    ),
    'ArtifactContent': (
        ('text', 'text', None),
    ),
    'MultiformatMessageString': (
        ('text', 'text', REQUIRED),
        ('markdown', 'markdown', None),
    ),
    'ReportingConfiguration': (
        ('enabled', 'enabled', True),
        ('level', 'level', 'warning'),
        ('rank', 'rank', -1.0),
    ),
    'RunAutomationDetails': (
        ('id', 'id', None),
    ),
}


def make(cls: str, kwargs: dict) -> dict:
    """The SARIF dict of ``sarif_om.<cls>(**kwargs)`` as :func:`shiplint.reporters.sarif.to_sarif_dict`
    writes it: fields in the class's order, unset (``None``) fields and ``-1`` placeholders left
    out, defaults written."""
    fields = FIELDS[cls]
    unknown = set(kwargs).difference(f[0] for f in fields)
    if unknown:
        raise TypeError(f"{cls}: unknown field(s) {', '.join(sorted(unknown))}")
    out = {}
    for name, key, default in fields:
        value = kwargs.get(name, default)
        if value is REQUIRED:
            raise TypeError(f"{cls}: missing required field {name}")
        if value is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == -1 and default == -1:
            continue
        out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


class Model:
    """``model.Region(start_line=…)`` and so on, as with ``import sarif_om as model``, each
    returning the serialised dict."""

    def __getattr__(self, cls: str):
        if cls not in FIELDS:
            raise AttributeError(cls)
        return lambda **kwargs: make(cls, kwargs)
