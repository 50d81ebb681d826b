"""Search benchmark: index N generated zh/ja/en listings through ``search_upsert``, then time
``search_match`` against a bare full-text query on the same data, and measure recall.

    .venv/bin/python bench/search.py [--db sqlite|postgres|both] [--listings 100000] [--queries 200]

SQLite runs in a temporary file; PostgreSQL in a database ``shiji_bench_<pid>`` on
127.0.0.1:5432 (user postgres), created and dropped by the script. ``both`` runs one child
process per database, one after the other.

Reference ("ref"): the same query's pre-built expression run as a bare ``fts MATCH ?`` /
``search_vector @@ to_tsquery(?)`` with the same LIMIT and no ranking, on the raw cursor. The
ratio search_match ÷ ref is what segmentation, ranking, the join and the ORM cost on top of the
index lookup (one-character queries look up the per-character token the index holds beside the
words).

Recall: for each query, the listings generated with the query word (normalized: Traditional and
shinjitai folded to Simplified, English stemmed; for one-character queries, listings whose text
contains the character) that ``search_match`` returns, divided by min(that number, limit).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


# --- Word lists ------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return text.split()


ZH_WORDS = _words("""
古着 陶器 手作 茶杯 手机 复古 外套 衬衫 毛衣 裙子 裤子 鞋子 手表 项链 耳环 戒指 相机 镜头 耳机 音箱
键盘 鼠标 手办 模型 玩具 漫画 杂志 书籍 唱片 海报 茶叶 茶壶 茶盘 瓷器 陶瓷 花瓶 餐具 漆器 木雕 香炉
扇子 丝巾 围巾 帽子 手套 钱包 背包 皮具 日本 东京 京都 大阪 全新 二手 正品 限定 古董 收藏 原装 包邮
现货 礼盒 实木 纯棉 真丝 羊毛 牛仔 碎花 格子 条纹 黑色 白色 红色 蓝色 绿色 粉色 夏季 冬季 女装 男装
童装 和服 浴衣 昭和 中古 正版 绝版 手绘 刺绣 编织 皮革 玻璃 水晶 珍珠 黄金 白银 铜器 铁壶 紫砂 青花
粗陶 釉色 连衣裙 笔记本电脑 景德镇 普洱茶 铁观音 紫砂壶 机械键盘 降噪耳机 单反相机 胶片相机 运动鞋
帆布鞋 双肩包 保温杯 马克杯 茶具套装 手工皂 明信片 黑胶唱片 游戏机 毛绒玩具 乐高积木 高达模型 动漫周边
古着店 二次元 森女风 日系风 收纳盒 台灯 闹钟 收音机 打字机 钢笔 笔记本 书签 印章 砚台 毛笔 宣纸 折扇
""")
ZH_FILLERS = _words("的 很 和 也 都 是 有 在 了 买 卖 送 用")

JA_WORDS = _words("""
ワンピース フィギュア カメラ レトロ ヴィンテージ アンティーク ブラウス スカート ジャケット コート セーター
スニーカー ブーツ バッグ リュック ネックレス ピアス イヤリング レンズ イヤホン スピーカー キーボード
レコード ポスター プラモデル ぬいぐるみ おもちゃ こけし 手ぬぐい マグカップ グラス 湯呑み 箸置き
古着 陶器 着物 浴衣 昭和 大正 骨董 漆器 鉄瓶 焼物 有田焼 九谷焼 益子焼 備前焼 美品 未使用 新品 中古
限定 非売品 送料無料 手作り 手編み 刺繍 日本製 京都 東京 大阪 北海道 沖縄 財布 腕時計 指輪 漫画 雑誌
花瓶 急須 茶碗 風呂敷 切手 絵本 文庫本 万年筆 腕時計ベルト 懐中時計 駅弁 鉄道 模型 帯留め 簪 扇子
""")
JA_FILLERS = ["の", "です。", "を", "と", "で買いました。", "、", "が付いています。"]

EN_WORDS = _words("""
vintage figure camera handmade ceramic mug dress jacket coat sweater shirt skirt jeans sneakers boots bag
backpack wallet watch necklace earrings ring lens headphones speaker keyboard mouse console game manga
magazine record poster model plush toy kimono yukata teapot teacup bowl plate vase lacquer ironware pottery
porcelain glass crystal pearl gold silver brass leather cotton silk wool denim floral plaid striped black
white red blue green pink summer winter limited rare new used original boxed sealed signed retro antique
collectible japanese chinese tokyo kyoto osaka anime film lamp clock radio typewriter fountain pen notebook
stamp postcard scarf hat gloves tray kettle chopsticks fan brush ink scroll doll robot figurine sticker
""")
EN_FILLERS = ["from", "with", "and", "in", "the", "a", "for"]

# One-character queries (Han, Traditional Han and a few Kana).
CHAR_QUERIES = list("茶杯包鞋表书衣瓷壶碗扇笔灯铁纸帽裙") + list("贝壺書燈紙") + list("ワぬ")


@dataclass
class Listing:
    listing_id: str
    language: str
    title: dict[str, str]
    body: dict[str, str]
    words: set[str] = field(default_factory=set)  # normalized words it was generated with


@dataclass
class Query:
    kind: str
    q: str
    truth: set[str]


# --- Generation ------------------------------------------------------------------------------
def _zipf(n: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


def _background_words() -> dict[str, list[str]]:
    """Everyday words around the product words, most frequent first: jieba's own dictionary for
    Chinese (nouns, verbs, adjectives), Faker's lorem lists for Japanese and English."""
    import jieba
    from faker.providers.lorem.en_US import Provider as English
    from faker.providers.lorem.ja_JP import Provider as Japanese

    rows = []
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, freq, pos = line.split()
            if 2 <= len(word) <= 4 and pos in {"n", "v", "a", "vn", "nz", "an"} and _is_han(word):
                rows.append((-int(freq), word))
    chinese = [word for _, word in sorted(rows)[:20_000]]
    return {"zh": chinese, "ja": list(Japanese.word_list), "en": [w for w in English.word_list if len(w) > 2]}


def _is_han(word: str) -> bool:
    return all("\u4e00" <= char <= "\u9fff" for char in word)


def _has_kana(word: str) -> bool:
    return any("\u3041" <= char <= "\u30ff" for char in word)


class Generator:
    def __init__(self, seed: int) -> None:
        from opencc import OpenCC

        from shiji.search.hanzi import SHINJITAI, to_simplified
        from shiji.search.text import index_tokens

        self.random = random.Random(seed)
        self.s2t = OpenCC("s2t")
        self.product = {"zh": list(ZH_WORDS), "ja": list(JA_WORDS), "en": list(EN_WORDS)}
        for words in self.product.values():
            self.random.shuffle(words)  # which product words are frequent is up to the seed
        self.background = _background_words()
        self._weights = {
            **{("product", k): _zipf(len(v), 0.8) for k, v in self.product.items()},
            **{("background", k): _zipf(len(v), 1.0) for k, v in self.background.items()},
        }
        self._to_simplified, self._shinjitai, self._index_tokens = to_simplified, SHINJITAI, index_tokens

    def norm(self, word: str) -> str:
        """What a word must equal to count as the query word: folded Han, stemmed English."""
        if word.isascii():
            return " ".join(self._index_tokens(word, "en"))
        return self._to_simplified(word).translate(self._shinjitai)

    def pick(self, pool: str, language: str, k: int) -> list[str]:
        words = self.product[language] if pool == "product" else self.background[language]
        return self.random.choices(words, cum_weights=self._weights[pool, language], k=k)

    def _chinese(self, words: list[str], sentence: bool) -> str:
        parts = []
        for n, word in enumerate(words, 1):
            parts.append(word)
            if sentence and n % 6 == 0:
                parts.append("，")
            elif sentence and self.random.random() < 0.25:
                parts.append(self.random.choice(ZH_FILLERS))
            elif not sentence and self.random.random() < 0.4:
                parts.append(" ")
        return "".join(parts).strip() + ("。" if sentence else "")

    def _japanese(self, words: list[str], sentence: bool) -> str:
        parts = []
        for word in words:
            parts.append(word)
            parts.append(self.random.choice(JA_FILLERS) if sentence else self.random.choice([" ", "の", " ", ""]))
        return "".join(parts).strip()

    def _english(self, words: list[str], sentence: bool) -> str:
        out = []
        for word in words:
            if sentence and self.random.random() < 0.3:
                out.append(self.random.choice(EN_FILLERS))
            out.append(word if self.random.random() < 0.7 else word.capitalize())
        return " ".join(out) + ("." if sentence else "")

    def listing(self, n: int) -> Listing:
        roll = self.random.random()
        language = "zh-hans" if roll < 0.35 else "zh-hant" if roll < 0.45 else "ja" if roll < 0.8 else "en"
        base = language[:2]
        make: Callable[[list[str], bool], str] = {"zh": self._chinese, "ja": self._japanese, "en": self._english}[base]
        title_words = self.pick("product", base, self.random.randint(3, 6))
        body_words = self.pick("product", base, self.random.randint(2, 5))
        body_words += self.pick("background", base, self.random.randint(12, 30))
        self.random.shuffle(body_words)
        title, body = {language: make(title_words, False)}, {language: make(body_words, True)}
        words = title_words + body_words
        if language == "zh-hant":
            title[language], body[language] = self.s2t.convert(title[language]), self.s2t.convert(body[language])
        if base != "en" and self.random.random() < 0.3:  # the seller's English title
            english = self.pick("product", "en", self.random.randint(2, 4))
            title["en"] = self._english(english, False)
            words += english
        if base == "zh" and self.random.random() < 0.1:  # Japanese keywords in a Chinese listing
            keywords = self.pick("product", "ja", 2)
            body[language] += " " + " ".join(keywords)
            words += keywords
        return Listing(f"lst_{n:08d}", language, title, body, {self.norm(word) for word in words})


def generate(count: int, seed: int) -> tuple[list[Listing], Generator]:
    generator = Generator(seed)
    return [generator.listing(n) for n in range(count)], generator


QUERY_SHARES = {"char-1": 0.15, "han-2": 0.25, "han-3+": 0.15, "kana": 0.15, "english": 0.15, "mixed": 0.15}


def make_queries(listings: list[Listing], generator: Generator, count: int, seed: int) -> list[Query]:
    """Query words drawn half from product words, half from everyday words, that occur in the data."""
    from shiji.search.text import plain_text

    rng = random.Random(seed + 1)
    by_word: dict[str, set[str]] = defaultdict(set)
    for listing in listings:
        for word in listing.words:
            by_word[word].add(listing.listing_id)
    present = [
        w
        for w in {*ZH_WORDS, *JA_WORDS, *EN_WORDS, *itertools.chain(*generator.background.values())}
        if by_word.get(generator.norm(w))
    ]
    product = {*ZH_WORDS, *JA_WORDS, *EN_WORDS}
    pools: dict[str, tuple[list[str], list[str]]] = {}
    for kind, test in {
        "han-2": lambda w: _is_han(w) and len(w) == 2,
        "han-3+": lambda w: _is_han(w) and len(w) >= 3,
        "kana": _has_kana,
        "english": str.isascii,
    }.items():
        chosen = sorted(w for w in present if test(w))
        pools[kind] = ([w for w in chosen if w in product], [w for w in chosen if w not in product])
    plain = {
        listing.listing_id: plain_text(" ".join([*listing.title.values(), *listing.body.values()]))
        for listing in listings
    }
    queries: list[Query] = []
    for kind, share in QUERY_SHARES.items():
        for _ in range(round(count * share)):
            queries.append(_query(kind, rng, pools, by_word, plain, listings, generator))
    return queries[:count]


def _query(
    kind: str,
    rng: random.Random,
    pools: dict[str, tuple[list[str], list[str]]],
    by_word: dict[str, set[str]],
    plain: dict[str, str],
    listings: list[Listing],
    generator: Generator,
) -> Query:
    from shiji.search.hanzi import fold_chars

    if kind == "char-1":
        char = rng.choice(CHAR_QUERIES)
        folded = fold_chars(char)
        return Query(kind, char, {lid for lid, text in plain.items() if folded in text})
    if kind == "mixed":  # a CJK word and an English word of one listing
        while True:
            listing = rng.choice(listings)
            english = sorted(w for w in EN_WORDS if generator.norm(w) in listing.words)
            cjk = sorted(w for w in (*ZH_WORDS, *JA_WORDS) if generator.norm(w) in listing.words and len(w) >= 2)
            if english and cjk:
                a, b = rng.choice(cjk), rng.choice(english)
                return Query(kind, f"{a} {b}", by_word[generator.norm(a)] & by_word[generator.norm(b)])
    product, everyday = pools[kind]
    word = rng.choice(product if rng.random() < 0.5 or not everyday else everyday)
    q = word
    if kind.startswith("han") and rng.random() < 0.25:
        q = generator.s2t.convert(word)  # typed in Traditional
    if kind == "english" and rng.random() < 0.3:
        q = word.upper() if rng.random() < 0.5 else (word if word[-1] in "shxy" else word + "s")
    return Query(kind, q, by_word[generator.norm(word)])


# --- Measuring -------------------------------------------------------------------------------
def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def index_all(listings: list[Listing], batch: int) -> tuple[float, float]:
    from django.db import connection, transaction

    from shiji.search.services import search_upsert

    started = time.perf_counter()
    for start in range(0, len(listings), batch):
        with transaction.atomic():
            for listing in listings[start : start + batch]:
                search_upsert(
                    listing_id=listing.listing_id,
                    title=listing.title,
                    body=listing.body,
                    original_language=listing.language,
                )
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE search_searchentry")
    return indexed, time.perf_counter() - started


def reference_runner(limit: int) -> Callable[[str], Callable[[], Any]]:
    """The bare index lookup for a query, with the expression built before the clock starts."""
    from django.db import connection

    from shiji.search.backends import postgres, sqlite
    from shiji.search.text import character_token, query_groups, single_character

    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        sql, build = "SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT ?", sqlite.match_expression
    else:
        sql = "SELECT id FROM search_searchentry WHERE search_vector @@ to_tsquery('simple', %s) LIMIT %s"
        build = postgres.match_expression

    def prepare(q: str) -> Callable[[], Any]:
        char = single_character(q)
        expression = build([[character_token(char)]] if char else (query_groups(q) or [["-"]]))

        def run() -> Any:
            cursor = raw.cursor()
            cursor.execute(sql, (expression, limit))
            rows = cursor.fetchall()
            cursor.close()
            return rows

        return run

    return prepare


def measure(
    queries: list[Query], repeat: int, limit: int
) -> tuple[dict[str, dict[str, list[float]]], list[tuple[Query, float]]]:
    from shiji.search.selectors import search_match

    prepare = reference_runner(limit)
    references = [prepare(query.q) for query in queries]
    stats: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    recalls: list[tuple[Query, float]] = []
    for query, reference in zip(queries, references, strict=True):  # warm-up and recall
        found = {listing_id for listing_id, _ in search_match(q=query.q, limit=limit)}
        reference()
        expected = min(len(query.truth), limit)
        recall = len(found & query.truth) / expected if expected else 1.0
        recalls.append((query, recall))
        stats[query.kind]["recall"].append(recall)
        stats[query.kind]["hits"].append(float(len(found)))
    for _ in range(repeat):
        for query, reference in zip(queries, references, strict=True):
            started = time.perf_counter()
            search_match(q=query.q, limit=limit)
            middle = time.perf_counter()
            reference()
            ended = time.perf_counter()
            stats[query.kind]["ms"].append((middle - started) * 1000)
            stats[query.kind]["ref"].append((ended - middle) * 1000)
    return stats, recalls


def report(
    stats: dict[str, dict[str, list[float]]],
    recalls: list[tuple[Query, float]],
    queries: list[Query],
    repeat: int,
    limit: int,
    show_recall: bool,
) -> None:
    """One row per query class; recall only for the first (largest) limit, where it means
    "true matches returned ÷ min(true matches, limit)"."""
    print(
        f"{'query':<9}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'ref p50':>9}{'ref p95':>9}"
        f"{'×ref p50':>9}{'×ref p95':>9}{'recall':>8}{'min rec':>8}{'hits p50':>9}"
    )
    every: dict[str, list[float]] = defaultdict(list)
    kinds = [kind for kind in ("char-1", "han-2", "han-3+", "kana", "english", "mixed") if kind in stats]
    for kind in [*kinds, "all"]:
        row = every if kind == "all" else stats[kind]
        if kind != "all":
            for key, values in row.items():
                every[key].extend(values)
        ms, ref = row["ms"], row["ref"]
        recall_columns = (
            f"{statistics.fmean(row['recall']):>8.3f}{min(row['recall']):>8.3f}" if show_recall else f"{'-':>8}{'-':>8}"
        )
        print(
            f"{kind:<9}{len(row['recall']):>4}{_percentile(ms, 50):>9.2f}{_percentile(ms, 95):>9.2f}"
            f"{_percentile(ms, 99):>9.2f}{_percentile(ref, 50):>9.2f}{_percentile(ref, 95):>9.2f}"
            f"{_percentile(ms, 50) / max(_percentile(ref, 50), 1e-6):>9.1f}"
            f"{_percentile(ms, 95) / max(_percentile(ref, 95), 1e-6):>9.1f}"
            f"{recall_columns}{statistics.median(row['hits']):>9.0f}"
        )
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"({len(queries)} queries × {repeat} timed runs after a warm-up run; ms per query; load average {load})")
    if show_recall:
        misses = sorted({(recall, query.kind, query.q, len(query.truth)) for query, recall in recalls if recall < 1.0})
        for recall, kind, q, truth in misses[:6]:
            print(f"  lowest recall: {kind:<8} {q!r}: {recall:.3f} of {truth}")


# --- Running ---------------------------------------------------------------------------------
def run_one(db: str, count: int, query_count: int, seed: int, batch: int, repeat: int, limits: list[int]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="shiji-bench-"))
    pg_name = f"shiji_bench_{os.getpid()}"
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        _pg_admin("CREATE DATABASE {}", pg_name)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_name}"
    os.environ["SHIJI_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "search", verbosity=0)
        started = time.perf_counter()
        listings, generator = generate(count, seed)
        generated = time.perf_counter() - started
        chars = sum(len(text) for listing in listings for text in [*listing.title.values(), *listing.body.values()])
        queries = make_queries(listings, generator, query_count, seed)
        indexed, optimized = index_all(listings, batch)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()" if db == "postgres" else "SELECT 'SQLite ' || sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        print(f"\n## {db}: {count:,} listings ({chars / count:.0f} chars each), seed {seed}, {version}")
        print(
            f"generated in {generated:.1f} s; indexed through search_upsert in {indexed:.1f} s = "
            f"{count / indexed:,.0f} listings/s ({chars / indexed / 1e6:.2f} M chars/s), batches of {batch}; "
            f"{'optimize' if db == 'sqlite' else 'VACUUM ANALYZE'} {optimized:.1f} s"
        )
        for n, limit in enumerate(limits):
            print(f"\nsearch_match(q, limit={limit}):")
            stats, recalls = measure(queries, repeat, limit)
            report(stats, recalls, queries, repeat, limit, show_recall=n == 0)
        connection.close()
    finally:
        if db == "postgres":
            _pg_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg_name)
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        workdir.rmdir()


def _pg_admin(statement: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL(statement).format(sql.Identifier(database)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limits", default="10000", help="comma-separated limits to measure, e.g. 10000,100")
    args = parser.parse_args()
    limits = [int(limit) for limit in args.limits.split(",")]
    if args.db == "both":
        for db in ("sqlite", "postgres"):
            argv = [
                sys.executable,
                __file__,
                "--db",
                db,
                "--listings",
                str(args.listings),
                "--queries",
                str(args.queries),
                "--seed",
                str(args.seed),
                "--batch",
                str(args.batch),
                "--repeat",
                str(args.repeat),
                "--limits",
                args.limits,
            ]
            subprocess.run(argv, check=True)  # noqa: S603
        return
    run_one(args.db, args.listings, args.queries, args.seed, args.batch, args.repeat, limits)


if __name__ == "__main__":
    main()
