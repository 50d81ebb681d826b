"""The folded raw text was only read by the old one-character substring scan; one-character
queries now match per-character tokens (decision 0007), so these columns are dropped. The FTS5
triggers are dropped before and rebuilt after, as 0002 asks."""

from importlib import import_module

from django.db import migrations

_fulltext = import_module("shiji.search.migrations.0002_fulltext")
create_fulltext, drop_fulltext = _fulltext.create_fulltext, _fulltext.drop_fulltext


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [
        migrations.RunPython(drop_fulltext, create_fulltext),
        migrations.RemoveField(model_name="searchentry", name="plain_text"),
        migrations.RemoveField(model_name="searchentry", name="title_plain"),
        migrations.RunPython(create_fulltext, drop_fulltext),
    ]
