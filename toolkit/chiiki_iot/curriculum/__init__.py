"""chiiki_iot.curriculum"""
