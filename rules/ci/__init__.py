"""CI pipeline rules (CI…): what a GitHub Actions workflow or a GitLab pipeline does around the
images it pushes (scan, SBOM, signature, tags, registry login, pinned actions)."""
