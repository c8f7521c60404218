"""Stored notification texts are message keys with parameters, shown and sent in the recipient's
language; rows written before keys existed stay readable as stored."""
from datetime import timedelta
from email import message_from_bytes, policy

import sqlalchemy as sa

from app.activities.models import CareLog
from app.notify import digest, services, texts
from app.notify.models import Notification
from tests.notify.test_delivery import open_case, reach


def notes_of(db, user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_a_case_notification_is_read_and_mailed_in_each_recipients_language(app, world, db, login, smtp_server):
    director, coordinator = world.user("village_director"), world.user("coordinator")
    director.locale = "en"
    reach(db, director, email="director@example.cn")
    reach(db, coordinator, email="coord@example.cn")
    case = open_case(world, db)
    [note] = notes_of(db, director)
    # stored once: the key and its parameters, and the default language's text as the fallback
    assert note.message["title"]["key"] == "新的强制报告 #%(id)s（%(place)s），请立即查看并确认"
    assert note.title.startswith(f"新的强制报告 #{case.id}")
    assert note.title_in("en").startswith(f"New mandatory report #{case.id}")
    assert note.body_in("en").endswith("Suspected domestic violence") and note.body.endswith("疑似遭受家庭暴力")
    # e-mail: the English reader's subject and text in English, the Chinese reader's in Chinese
    mails = {m.rcpt_tos[0]: message_from_bytes(m.content, policy=policy.default) for m in smtp_server.messages}
    english, chinese = mails["director@example.cn"], mails["coord@example.cn"]
    assert f"New mandatory report #{case.id}" in english["Subject"]
    assert "Sign in to Xiangban" in english.get_content() and "请登录" not in english.get_content()
    assert f"新的强制报告 #{case.id}" in chinese["Subject"] and "请登录相伴查看并处理" in chinese.get_content()
    # the centre shows the reader's language (the director chose English)
    page = login("village_director").get("/notifications/").get_data(as_text=True)
    assert f"New mandatory report #{case.id}" in page and "新的强制报告" not in page
    page = login("coordinator").get("/notifications/").get_data(as_text=True)
    assert f"新的强制报告 #{case.id}" in page


def test_old_rows_without_keys_stay_readable(world, db, login):
    director = world.user("village_director")
    director.locale = "en"
    [old] = services.notify([director], "test", "旧的通知标题", "/", "旧的通知内容")
    db.session.commit()
    assert old.message is None and old.title_in("en") == "旧的通知标题" and old.body_in("en") == "旧的通知内容"
    page = login("village_director").get("/notifications/").get_data(as_text=True)
    assert "旧的通知标题" in page and "旧的通知内容" in page


def test_the_weekly_digest_lines_follow_the_reader(app, world, db):
    from app.core.dates import today_cn
    from app.notify.models import NotifySettings
    from tests.activities.helpers import start_pair_on

    volunteer = world.user("volunteer")
    volunteer.locale = "en"
    start_pair_on(world.a.pair, today_cn() - timedelta(days=60))
    db.session.add(NotifySettings(user_id=volunteer.id, channels=[], weekly_digest=True))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 0
    assert digest.send_weekly(today_cn()) == 1
    db.session.commit()
    [note] = notes_of(db, volunteer)
    assert note.title.startswith("本周关爱待办") and note.title_in("en").startswith("Care due this week")
    assert world.a.child.name in note.body_in("en") and "逾期" not in note.body_in("en")
    assert texts.render(texts.text("本周关爱待办 %(n)s 项", n=3), "en") == "Care due this week: 3"
