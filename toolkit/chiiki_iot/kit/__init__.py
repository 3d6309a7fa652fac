"""chiiki_iot.kit"""
