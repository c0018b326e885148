"""The patrol service. Safety watchers (平安守望员), duty shifts and patrols, snap-and-report hazard reports with photos, residents' needs from door-knocking visits, and an Open311 GeoReport v2 API."""
