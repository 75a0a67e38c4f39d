"""Every change to routine data goes through these functions (one module per area); each checks permission and content and writes its audit row in one transaction."""
