"""The rule framework: rule declaration, the built-in registry, selection and declarative policies."""
