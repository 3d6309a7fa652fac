"""Running a class with nbgrader: roster, release, collect, safe parallel autograde,
feedback without hidden tests, exports (CSV / Excel) and the trainer's progress view.

The command line is ``chiiki-iot class ...`` (see ``grading/README.md``).

Modules:
    commands          ``chiiki-iot class ...`` (argument parsing, Japanese messages)
    classroom_course  the class course folder (nbgrader layout + class settings), roster, exchange steps
    settings          the class settings written into nbgrader_config.py (Japan time, templates/); nbgrader's API
    sandbox           bubblewrap sandbox for learner code (kernel only)
    kernel            kernel manager that starts kernels inside the sandbox (or forks them from a zygote)
    warm_pool         warm starts: one sandboxed zygote per kind and assignment in a grading process
    zygote            the zygote: imports once, forks a kernel or a judge per notebook, cleans between learners
    inside_sandbox    first process inside the sandbox (limits, working copy)
    execute           nbgrader Execute preprocessor with sandbox, timeouts, output caps
    autograde         parallel autograde across learners, with a per-learner report
    worker            one autograde worker process (nbgrader's own API); worker_protocol its answers
    judge             runs the hidden tests outside the learner's kernel (judge_client: the grader's side)
    answer_transfer   the learner's answers carried out of their kernel as data, for the judge
    on_submit         grading on submit: watch the exchange, grade each submission, return its feedback
    feedback          feedback without hidden tests, in Japanese (templates/feedback)
    duedates          due dates (Japan time) in nbgrader's gradebook; late submissions
    roster            learner roster from CSV (UTF-8 / BOM / CP932)
    export            grades to CSV and Excel (per learner, module, learning objective)
    progress          who submitted what, and a chart
    item_analysis     per question: share right, hints triggered, who is stuck where, progress over time
    class_view        the trainer's live view of a class (HTML page, notebook), from item_analysis
    hub               JupyterHub configuration for a training room (grading/jupyterhub_config.py)
"""
