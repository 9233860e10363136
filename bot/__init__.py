"""SBK Hotline Assistant: the application package."""
