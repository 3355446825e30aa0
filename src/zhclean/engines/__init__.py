"""Running a recipe over files: planning units, running them on an executor (this
machine's processes, or Ray), the manifest that makes a run resumable, and the driver
that ties them together (`run_clean`)."""

from zhclean.engines.driver import RunResult, run_clean
from zhclean.engines.executor import ENGINES, Executor, LocalExecutor, make_executor
from zhclean.engines.manifest import OutputError

__all__ = ["ENGINES", "Executor", "LocalExecutor", "OutputError", "RunResult", "make_executor", "run_clean"]
