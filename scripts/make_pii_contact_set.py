"""Write tests/data/pii_contact_labelled.csv: a labelled set of contact lines (issue 18).

Every case is built from a sentence frame written the way postings and HR exports write
contact details (zh/ru/en), filled with made-up values of each kind, so the truth is known
by construction: ``pii`` lists the exact substrings that must not survive scrubbing. Clean
look-alikes (pay, dates, order numbers, standards, departments after a contact label, job
titles ending in 经理/小姐) must come out unchanged. Values are random (seeded), never
real people's numbers. The set was written before the detectors were run on it; the
first-contact scores are in reference/sources/privacy.md.

Run: python scripts/make_pii_contact_set.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_contact_labelled.csv"
rng = random.Random(18)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤梅艾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇晨欣怡"
HONORIFIC = ["小姐", "先生", "女士", "经理", "老师"]
RU_FIRST_F = ["Мария", "Анна", "Елена", "Ольга", "Наталья", "Ирина", "Светлана", "Татьяна", "Юлия", "Екатерина"]
RU_FIRST_M = ["Сергей", "Андрей", "Алексей", "Дмитрий", "Иван", "Михаил", "Павел", "Николай", "Олег", "Артём"]
RU_LAST = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов"]
RU_PATR_F = ["Петровна", "Ивановна", "Сергеевна", "Андреевна", "Викторовна"]
EN_FIRST = ["John", "Jane", "Emily", "Michael", "Sarah", "David", "Laura", "James", "Olivia", "Daniel", "Chloe", "Tom"]
EN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Johnson", "Walker", "Clarke", "Evans", "Hughes", "Patel", "Nguyen", "O'Brien"]
DOMAINS = ["example.com", "mail.example.ru", "corp-demo.cn", "163.com", "qq.com", "yandex.ru", "hr-demo.co.uk", "gmail.com"]


def digits(n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def cn_mobile() -> str:
    num = "1" + rng.choice("3456789") + digits(9)
    style = rng.randrange(5)
    if style == 1:
        return f"{num[:3]}-{num[3:7]}-{num[7:]}"
    if style == 2:
        return f"{num[:3]} {num[3:7]} {num[7:]}"
    if style == 3:
        return "+86 " + num
    return num


def cn_landline() -> str:
    area = rng.choice(["021", "010", "0755", "020", "0571", "028"])
    local = digits(8 if len(area) == 3 else 7)
    local = str(rng.randint(2, 9)) + local[1:]
    return rng.choice([f"{area}-{local}", f"({area}){local}", f"{area}-{local}-{rng.randint(100, 999)}"])


def ru_phone() -> str:
    a, b, c, d = "9" + digits(2), digits(3), digits(2), digits(2)
    return rng.choice([f"+7 ({a}) {b}-{c}-{d}", f"8 {a} {b} {c} {d}", f"8-{a}-{b}-{c}-{d}", f"+7{a}{b}{c}{d}",
                       f"8 (495) {b}-{c}-{d}"])


def en_phone() -> str:
    return rng.choice([f"(415) 555-0{digits(3)}", f"+1 212-555-0{digits(3)}", f"+44 20 7946 0{digits(3)}",
                       f"07700 900{digits(3)}", f"020 7946 0{digits(3)}", f"+44 7700 900{digits(3)}"])


def email() -> str:
    user = rng.choice(["hr", "jobs", "zhang.wei", "ivan.petrov", "recruit2024", "anna_k", "kefu01", "j.smith"])
    user += rng.choice(["", str(rng.randint(1, 99))])
    dom = rng.choice(DOMAINS)
    style = rng.randrange(6)
    if style == 1:
        name, tld = dom.rsplit(".", 1)
        return f"{user} [at] {name} [dot] {tld}"
    if style == 2:
        return f"{user}#{dom}"
    if style == 3:
        return f"{user}(at){dom}"
    if style == 4:
        return f"{user}＠{dom}"
    return f"{user}@{dom}"


def cn_id(valid: bool = True) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 44))
    body = str(rng.randint(110000, 659000)) + born.strftime("%Y%m%d") + digits(3)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def zh_name() -> str:
    s = rng.choice(SURNAMES)
    return rng.choice([s + rng.choice(HONORIFIC), s + rng.choice(GIVEN), s + rng.choice(GIVEN) + rng.choice(GIVEN)])


def ru_name() -> str:
    female = rng.random() < 0.5
    first = rng.choice(RU_FIRST_F if female else RU_FIRST_M)
    last = rng.choice(RU_LAST) + ("а" if female else "")
    return rng.choice([f"{first} {last}", f"{last} {first}", first, f"{first} {rng.choice(RU_PATR_F)}" if female else first,
                       f"{last} {first[0]}. {rng.choice('АВСИМ')}."])


def en_name() -> str:
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return rng.choice([f"{first} {last}", first, f"Ms. {last}" if first in {"Jane", "Emily", "Sarah", "Laura", "Olivia", "Chloe"} else f"Mr. {last}"])


rows: list[dict[str, str]] = []


def add(lang: str, kinds: str, text: str, pii: list[str], note: str = "") -> None:
    rows.append({"lang": lang, "kinds": kinds, "text": text, "pii": " | ".join(pii), "note": note})


# ---------------------------------------------------------------- phones
for _ in range(40):
    v = rng.choice([cn_mobile, cn_landline])()
    t = rng.choice(["电话：{v}", "联系电话:{v}", "手机 {v}（微信同号）", "有意者请致电{v}", "咨询热线：{v}，工作日9:00-18:00",
                    "简历投递后可电话联系{v}", "座机{v} 转人事部", "面试地点：浦东新区，电话{v}"])
    add("zh", "PHONE", t.format(v=v), [v])
for _ in range(30):
    v = ru_phone()
    t = rng.choice(["Тел.: {v}", "Звоните по телефону {v}", "телефон {v}, с 9 до 18", "Контакты: {v}",
                    "Резюме присылайте или звоните {v}", "тел {v} (доб. 123)"])
    add("ru", "PHONE", t.format(v=v), [v])
for _ in range(30):
    v = en_phone()
    t = rng.choice(["Call {v} to apply", "Tel: {v}", "Phone {v} (9am-5pm)", "For details ring {v}",
                    "Questions? {v}", "Mobile: {v}"])
    add("en", "PHONE", t.format(v=v), [v])

# ---------------------------------------------------------------- e-mails
for lang, frames in {
    "zh": ["简历请发至{v}", "邮箱：{v} 注明应聘岗位", "有意者请投递简历到{v}，合适者面试", "E-mail: {v}"],
    "ru": ["Резюме на почту {v}", "пишите: {v}", "Эл. почта {v}, в теме укажите вакансию", "e-mail {v}"],
    "en": ["Send your CV to {v}", "Email: {v}", "apply via {v} quoting ref CS-12", "Contact us at {v}."],
}.items():
    for _ in range(25):
        v = email()
        add(lang, "EMAIL", rng.choice(frames).format(v=v), [v])

# ---------------------------------------------------------------- identity numbers
for _ in range(20):
    v = cn_id(True)
    add("zh", "ID", rng.choice(["身份证号：{v}", "员工 {v} 入职", "证件号码 {v}", "{v}"]).format(v=v), [v], "valid check digit")
for _ in range(20):
    v = cn_id(False)
    add("zh", "ID", rng.choice(["{v}", "身份证 {v}", "申请人 {v} 已审核", "编号{v}"]).format(v=v), [v], "check digit fails")
for _ in range(15):
    s, n = f"{rng.randint(10, 99)} {rng.randint(10, 99)}", digits(6)
    v = rng.choice([f"{s} {n}", f"{s.replace(' ', '')} {n}", f"{s} № {n}"])
    add("ru", "ID", rng.choice(["паспорт {v}", "Паспорт: серия {v}", "паспортные данные {v}"]).format(v=v), [n])
for _ in range(10):
    v = digits(12)
    add("ru", "ID", rng.choice(["ИНН {v}", "ИНН: {v}", "инн {v}"]).format(v=v), [v])
for _ in range(10):
    v = f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    add("en", "ID", rng.choice(["SSN {v}", "social security no. {v}", "SSN: {v} on file"]).format(v=v), [v])
for _ in range(10):
    v = f"{rng.choice('ABCEGHJKLMNOPRSTWXYZ')}{rng.choice('ABCEGHJKLMNPRSTWXYZ')} {digits(2)} {digits(2)} {digits(2)} {rng.choice('ABCD')}"
    add("en", "ID", rng.choice(["NI number {v}", "NINO: {v}", "National Insurance {v}"]).format(v=v), [v])

# ---------------------------------------------------------------- messenger handles
for _ in range(30):
    v = rng.choice([digits(rng.randint(6, 10)).lstrip("0") or "12345", "wx_" + rng.choice(["hr", "kefu", "zhang"]) + digits(3),
                    rng.choice(["kefu_zhang88", "hr-li2024", "recruit_sh"])])
    label = rng.choice(["QQ：", "QQ ", "微信：", "微信号:", "vx：", "WX:", "加微信 ", "企鹅号："])
    add("zh", "HANDLE", rng.choice(["{l}{v}", "有意者{l}{v}", "面议，{l}{v}", "招聘{l}{v}（备注应聘）"]).format(l=label, v=v), [v])
for _ in range(20):
    v = "@" + rng.choice(["hr_moscow", "anna_rekruter", "job_spb", "kc_manager"]) + digits(2)
    add("ru", "HANDLE", rng.choice(["Телеграм {v}", "пишите в тг: {v}", "Telegram: {v}", "ТГ {v}"]).format(v=v), [v])
for _ in range(20):
    v = rng.choice(["@" + rng.choice(["jobs_uk", "hr_team", "careers"]) + digits(2), "live:" + "cs_" + digits(4)])
    add("en", "HANDLE", rng.choice(["Telegram {v}", "DM us on telegram: {v}", "Skype: {v}"]).format(v=v), [v.split(":")[-1]])

# ---------------------------------------------------------------- names in contact lines
for _ in range(40):
    v = zh_name()
    t = rng.choice(["联系人：{v}", "联系人:{v} 13{p}", "联系人 {v}", "有意者请联系{v}", "请联系{v}，电话面议",
                    "13{p}{v}", "简历发送后请告知{v}", "HR：{v}"])
    if t.count("{v}") and "{p}" in t:
        p = digits(9)
        text = t.format(v=v, p=p)
        add("zh", "NAME;PHONE", text, [v, "13" + p])
    else:
        add("zh", "NAME", t.format(v=v), [v])
for _ in range(30):
    v = ru_name()
    t = rng.choice(["Контактное лицо: {v}", "Контактное лицо — {v}", "Контакт: {v}", "Обращаться: {v}",
                    "Менеджер по персоналу: {v}", "контактное лицо {v}, звонить с 10 до 17"])
    add("ru", "NAME", t.format(v=v), [v.replace("Ms. ", "").replace("Mr. ", "")])
for _ in range(30):
    v = en_name()
    t = rng.choice(["Contact: {v}", "Contact person: {v}", "Contact {v} for details", "Recruiter: {v}",
                    "Hiring manager: {v}", "Please ask for {v} at reception"])
    add("en", "NAME", t.format(v=v), [v.replace("Ms. ", "").replace("Mr. ", "")])

# ---------------------------------------------------------------- clean look-alikes
clean = {
    "zh": ["薪资{a}-{b}元/月", "{x}千-{y}万·13薪", "2019-2023年客服经验", "发布日期：2024-03-15", "工作时间9:00-18:00",
           "邮编200030", "订单号 {order}", "执行 GB/T 19001-2016 标准", "联系人：人事部", "联系人：招聘专员", "项目经理",
           "高级经理（客服中心）", "礼仪小姐若干名", "先生们女士们欢迎加入", "客服主管，{a}元起", "团队{c}人，年终奖2-4个月",
           "400电话客服", "需有身份证复印件", "QQ群管理经验优先", "熟悉微信公众号运营", "联系方式见官网", "产品经理助理",
           "1-3年经验", "本科及以上学历", "五险一金 周末双休"],
    "ru": ["от {a} до {b} руб.", "{a} – {b} ₽ на руки", "Опыт 1–3 года", "График 5/2 с 9:00 до 18:00",
           "Дата публикации 15.03.2024", "индекс 101000", "Контактное лицо: отдел кадров", "Контакт: служба персонала",
           "ГОСТ Р ИСО 9001-2015", "номер заказа {order}", "Менеджер по работе с клиентами", "Оператор колл-центра",
           "ДМС после испытательного срока", "Работа в Telegram-каналах компании", "Знание 1С", "Премия до 30%"],
    "en": ["£{a} - £{b} per annum", "${a}-${b} a year", "Salary {x}k-{y}k", "Posted 2024-03-15", "Hours 9am-5pm",
           "Postcode SW1A 1AA", "Order no. {order}", "ISO 9001:2015 certified", "Contact: HR Department",
           "Contact: Recruitment Team", "Customer Service Manager", "Team of {c} agents", "Reference CS-2024-0012",
           "Contact us via the careers page", "Mr Men themed office", "Call centre experience 2-3 years",
           "Ms Office skills required", "Python 3.11, @Override annotations", "version 2.4.1"],
}
for lang, frames in clean.items():
    for _ in range(60 if lang == "zh" else 45):
        a = rng.choice([4000, 5500, 6000, 8000, 12000, 15000, 30000, 45000, 60000])
        t = rng.choice(frames).format(a=a, b=a + rng.choice([1000, 2000, 5000, 10000]), x=rng.randint(3, 9),
                                      y=rng.randint(1, 3), c=rng.randint(5, 200),
                                      order="0" + digits(17) if rng.random() < 0.5 else digits(6) + "99991399" + digits(4))
        add(lang, "", t, [], "clean look-alike")

seen: set[str] = set()
unique = [r for r in rows if not (r["text"] in seen or seen.add(r["text"]))]
OUT.parent.mkdir(parents=True, exist_ok=True)
with OUT.open("w", newline="", encoding="utf-8") as fh:
    w = csv.DictWriter(fh, fieldnames=["id", "lang", "kinds", "text", "pii", "note"], lineterminator="\n")
    w.writeheader()
    for i, r in enumerate(unique, 1):
        w.writerow({"id": i, **r})
print(f"{len(unique)} cases -> {OUT}")
