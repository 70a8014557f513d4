"""The ``vnocr`` command: argument parsing, messages and exit codes (nothing else).

Exit codes: 0 every input done; 1 some inputs failed (the others are written);
2 usage error, unusable output folder or missing dependency.
"""
from __future__ import annotations

import logging
import sys
import time
import traceback
from pathlib import Path

import click

from . import __version__
from .batch import DEFAULT_TIMEOUT, BatchOptions, Executor
from .errors import UsageError, VnocrError
from .options import (
    DEFAULT_REVIEW_THRESHOLD,
    DEFAULT_WORKERS,
    OcrLanguage,
    OcrOptions,
    RestoreOptions,
    RunOptions,
)

log = logging.getLogger(__name__)


def _fail(e: BaseException, verbose: bool) -> None:
    if verbose:
        traceback.print_exc(file=sys.stderr)
    if isinstance(e, VnocrError):
        click.echo(f"vnocr: {e.message}", err=True)
        sys.exit(e.exit_code)
    click.echo(f"vnocr: internal error: {type(e).__name__}: {e}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnocr")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging and tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Restore Vietnamese OCR text and parse the appendix indicator tables of reports."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = {"verbose": verbose}


@main.command()
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.pass_context
def restore(ctx: click.Context, file: str) -> None:
    """Print the restored text of FILE (or standard input): one output line per input line."""
    from .ingest import decode_text, normalize_text
    from .restore import detect_source, restore_lines

    verbose = ctx.obj["verbose"]
    try:
        if file == "-":
            data = sys.stdin.buffer.read()
            name = "<stdin>"
        else:
            name = file
            try:
                data = Path(file).read_bytes()
            except OSError as e:
                from .errors import InputFileError

                raise InputFileError(file, e.strerror or str(e)) from e
        if not data:
            return
        text, _ = decode_text(data, name)
        text = normalize_text(text)
        ends_with_newline = text.endswith("\n")
        lines = text.split("\n")
        if ends_with_newline:
            lines = lines[:-1]
        result = restore_lines(lines, detect_source(lines))
        out = "\n".join(result.lines) + ("\n" if ends_with_newline or lines else "")
        sys.stdout.write(out)
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, SystemExit | KeyboardInterrupt):
            raise
        _fail(e, verbose)


def _run_options(workers: int, force: bool, threshold: float, tables_only: bool,
                 lang: str = "vie", pdf: bool = False) -> RunOptions:
    return RunOptions(workers=workers, force=force, tables_only=tables_only,
                      restore=RestoreOptions(review_threshold=threshold),
                      ocr=OcrOptions(language=OcrLanguage(lang), searchable_pdf=pdf))


def _report(summary, started: float, quiet: bool) -> None:
    if not quiet:
        elapsed = time.perf_counter() - started
        done = summary.count("ok") + summary.count("failed")
        rate = f" ({done / elapsed:.2f} docs/s)" if done and elapsed > 0 else ""
        pages = summary.pages
        click.echo(
            f"vnocr: {summary.count('ok')} ok, {summary.count('failed')} failed, "
            f"{summary.count('skipped')} skipped; {pages} page{'s' if pages != 1 else ''} "
            f"in {elapsed:.1f}s{rate}; outputs in {summary.outdir} "
            f"(manifest {summary.outdir / 'manifest.csv'})", err=True)


class _Progress:
    """Progress bar on stderr (documents, pages, rate, ETA) and one line per failed input.

    The bar shows only on a terminal and never with --quiet; failures are always printed.
    """

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None
        self.pages = 0

    def start(self, total: int, skipped: int) -> None:
        if self.quiet or total == skipped:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=skipped, unit="doc", desc="vnocr", file=sys.stderr,
                        disable=None, dynamic_ncols=True, smoothing=0.1)
        self.bar.set_postfix_str("0 pages")

    def done(self, row) -> None:
        if row.status == "failed":
            self.echo(f"vnocr: {row.error}")
        if self.bar is None or row.status == "skipped":
            return
        self.pages += row.pages
        self.bar.set_postfix_str(f"{self.pages} page{'s' if self.pages != 1 else ''}",
                                 refresh=False)
        self.bar.update(1)

    def echo(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            click.echo(message, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if missing).")
@click.option("--workers", type=click.IntRange(1, 256), default=DEFAULT_WORKERS, show_default=True,
              help="Parallel worker processes.")
@click.option("--force", is_flag=True, help="Redo inputs whose outputs are already complete.")
@click.option("--review-threshold", type=click.FloatRange(0, 1), default=DEFAULT_REVIEW_THRESHOLD,
              show_default=True, help="Words below this confidence go to review.csv.")
@click.option("--timeout", type=click.FloatRange(0), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds a document may take before it is failed (0: no limit).")
@click.option("--excel", is_flag=True, help="Also write OUTDIR/indicators.xlsx.")
@click.option("--executor", type=click.Choice([e.value for e in Executor]),
              default=Executor.LOCAL.value, show_default=True,
              help="Local worker processes, or a dask.distributed cluster.")
@click.option("--scheduler", metavar="ADDRESS", default="",
              help="Dask scheduler address (tcp://host:8786) for --executor dask.")
@click.option("--lang", type=click.Choice([x.value for x in OcrLanguage]), default="vie",
              show_default=True, help="Tesseract model(s) for scans and images.")
@click.option("--pdf", is_flag=True,
              help="Also write OUTDIR/<doc_id>/searchable.pdf for scans (restored text layer).")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.pass_context
def run(ctx: click.Context, inputs: tuple[str, ...], outdir: Path, workers: int, force: bool,
        review_threshold: float, timeout: float, excel: bool, executor: str, scheduler: str,
        lang: str, pdf: bool, quiet: bool) -> None:
    """Process INPUT files and folders (recursed) into OUTDIR/<doc_id>/ plus a manifest."""
    from .batch import run as run_batch

    started = time.perf_counter()
    progress = _Progress(quiet)
    try:
        if executor == Executor.DASK.value and not scheduler:
            raise UsageError("--executor dask needs --scheduler ADDRESS (tcp://host:8786)")
        if scheduler and executor != Executor.DASK.value:
            raise UsageError("--scheduler is only used with --executor dask")
        batch = BatchOptions(executor=Executor(executor), scheduler=scheduler,
                             timeout=timeout or None, excel=excel)
        summary = run_batch(inputs, outdir,
                            _run_options(workers, force, review_threshold, False, lang, pdf),
                            progress.done, batch=batch, on_start=progress.start)
    except BaseException as e:  # noqa: BLE001
        progress.close()
        if isinstance(e, SystemExit):
            raise
        if isinstance(e, KeyboardInterrupt):
            click.echo("vnocr: interrupted; rerun the same command to finish", err=True)
            sys.exit(130)
        _fail(e, ctx.obj["verbose"])
        return
    progress.close()
    _report(summary, started, quiet)
    sys.exit(1 if summary.failed else 0)


@main.command()
@click.argument("file", type=click.Path())
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@click.pass_context
def tables(ctx: click.Context, file: str, outdir: Path, quiet: bool) -> None:
    """Write only the appendix records of FILE (indicators, values, documents)."""
    from .batch import run as run_batch

    started = time.perf_counter()
    try:
        summary = run_batch([file], outdir, _run_options(1, True, DEFAULT_REVIEW_THRESHOLD, True),
                            lambda row: row.status == "failed" and click.echo(
                                f"vnocr: {row.error}", err=True),
                            batch=BatchOptions(timeout=None))
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, SystemExit):
            raise
        _fail(e, ctx.obj["verbose"])
        return
    _report(summary, started, quiet)
    sys.exit(1 if summary.failed else 0)
