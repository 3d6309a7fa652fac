"""chiiki_iot.logic"""
