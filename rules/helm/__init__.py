"""Helm chart rules (HC…): what a chart's own files say (``Chart.yaml``, ``Chart.lock``,
``values.yaml``, the layout), beside the resource rules that run on its render."""
