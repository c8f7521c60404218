from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth import accounts
from app.auth.blueprint import bp
from app.auth import views_admin  # noqa: F401 - the administrators' pages join the blueprint
from app.auth.forms import ChangePasswordForm, LoginForm
from app.core.errors import show_on_form
from app.core import audit
from app.core.permissions import PUBLIC, policy
from app.core.web import safe_next_url
from app.extensions import db
from app.api.models import ApiToken
from app.core.models import utcnow


@bp.route("/login", methods=["GET", "POST"])
@policy(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        outcome = services.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        if outcome.user is not None:
            locale = session.get("locale")
            session.clear()  # rotate: nothing from before the login survives
            if locale:
                session["locale"] = locale
            services.start_session(outcome.user, request.remote_addr or "")
            login_user(outcome.user)
            if outcome.user.must_change_password:
                return redirect(url_for("auth.account"))
            return redirect(safe_next_url(request.args.get("next")) or url_for("home.index"))
        if outcome.error == "throttled":
            flash(_("尝试次数过多，请稍后再试。"), "error")
            status = 429
        else:
            flash(_("用户名或密码错误；连续多次错误后账户将暂时锁定。"), "error")
            status = 401
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@policy("authenticated")
def logout():
    audit.record("logout", current_user)
    db.session.commit()
    services.end_session(current_user.get_id())
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/settings/tokens", methods=["GET", "POST"])
@policy("authenticated")
def tokens():
    """Personal API tokens, for the phone app or scripts. The secret is shown once."""
    import sqlalchemy as sa

    secret = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "create":
            row, secret = ApiToken.issue(current_user, (request.form.get("name") or "手机").strip())
            audit.record("api_token.create", row)
            db.session.commit()
        elif action == "revoke":
            row = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == request.form.get("token_id", type=int),
                                                              ApiToken.user_id == current_user.id))
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()
                audit.record("api_token.revoke", row)
                db.session.commit()
                flash(_("令牌已作废。"), "info")
            return redirect(url_for("auth.tokens"))
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.id.desc())).all()
    return render_template("auth/tokens.html", tokens=rows, secret=secret)


#: What an account that must choose a new password may still reach.
PASSWORD_CHANGE_OPEN = frozenset({"auth.account", "auth.logout", "auth.login", "auth.sign_out_everywhere",
                                  "home.set_language", "home.healthz", "static"})


@bp.before_app_request
def require_password_change():
    """After an admin reset or a teacher import, nothing but the password page until it is changed."""
    if request.endpoint in PASSWORD_CHANGE_OPEN or g.get("api_token_auth"):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        if request.path.startswith("/api/"):
            from app.core.errors import error_response

            return error_response(403, _("请先在网页上修改密码。"), code="password_change_required")
        return redirect(url_for("auth.account"))
    return None


@bp.route("/account", methods=["GET", "POST"])
@policy("authenticated")
def account():
    """My account: change my password (forced after a reset), sign out everywhere, API tokens."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_own_password(current_user, form.current.data, form.new.data,
                                         keep_token=current_user.get_id())
            db.session.commit()
            flash(_("密码已修改；其他设备上的登录已退出。"), "success")
            return redirect(url_for("home.index"))
        except accounts.AccountError as exc:
            db.session.rollback()
            show_on_form(form, exc, "new")
    if form.errors:
        status = 422
    return render_template("auth/account.html", form=form, min_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@policy("authenticated")
def sign_out_everywhere():
    accounts.sign_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("已在所有设备上退出登录。"), "info")
    return redirect(url_for("auth.login"))
