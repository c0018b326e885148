"""Storage: connection pools, per-service migrations, and the provisioning of roles and schemas."""
