"""The device's other front doors: GPIO LEDs and button, MQTT/Home Assistant, zeroconf, systemd."""
