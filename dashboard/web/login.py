"""/login and /logout: the UI token typed once, kept in a signed session cookie; both are CSRF-protected POSTs."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from . import auth

bp = Blueprint("login", __name__)


def _form(status: int = 200, error: str | None = None) -> ResponseReturnValue:
    target = auth.safe_next(request.values.get("next"))
    headers = {"Cache-Control": "no-store"}
    if status == 429:
        headers["Retry-After"] = str(auth.limiter().retry_after(request.remote_addr or "?"))
    return render_template("login.html", next=target, error=error), status, headers


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login() -> ResponseReturnValue:
    """GET: the form; POST: check the token (slowly when wrong), then go back where the person was."""
    if not auth.enabled():
        return redirect("/")
    if request.method == "GET":
        return redirect(auth.safe_next(request.args.get("next"))) if auth.signed_in() else _form()
    if not auth.csrf_ok(request):
        return _form(400, "The form expired (or cookies are off); please try again.")
    status = auth.try_token(request.form.get("token", ""))
    if status == 429:
        return _form(429, "Too many wrong tokens from this address; wait a few minutes and try again.")
    if status is not None:
        return _form(401, "That is not the UI token (LOGDASH_UI_TOKEN).")
    session.clear()
    session.permanent = True
    session["ui"] = True
    auth.csrf_token()  # a fresh CSRF token for the signed-in session
    current_app.logger.info("signed in from %s", request.remote_addr)
    return redirect(auth.safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Forget the session (a POST with the page's CSRF token: a link elsewhere cannot sign anyone out)."""
    if not auth.csrf_ok(request):
        raise BadRequest("Signing out needs the page's own form (its CSRF token); please try again.")
    session.clear()
    return redirect("/login")
