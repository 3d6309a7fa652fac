"""chiiki_iot.opendata"""
