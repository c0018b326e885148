def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "deployment: builds container images and runs the compose deployment (make deployment-test)",
    )
