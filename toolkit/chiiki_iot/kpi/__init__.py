"""chiiki_iot.kpi"""
