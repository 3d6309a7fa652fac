"""How an autograde worker (``worker``) answers the process that started it (``autograde``, ``on_submit``).

Each answer is one line ``RESULT + json`` written to the pipe whose descriptor the worker
finds in the environment variable ``RESULT_FD`` (not stdout, which kernels could write to).
"""
RESULT = "@@chiiki-iot-result "
RESULT_FD = "CHIIKI_IOT_RESULT_FD"
