"""Poll.join_code: added empty, filled with a distinct code for every existing poll, then made
unique (the usual three steps for a unique field on a table with rows)."""

from django.db import migrations, models

import polls.joincodes


def fill_join_codes(apps, schema_editor):
    Poll = apps.get_model("polls", "Poll")
    taken = set(Poll.objects.exclude(join_code=None).values_list("join_code", flat=True))
    for poll in Poll.objects.filter(join_code=None).only("pk").iterator():
        code = polls.joincodes.join_code_random()
        while code in taken:
            code = polls.joincodes.join_code_random()
        taken.add(code)
        Poll.objects.filter(pk=poll.pk).update(join_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0005_single_line_question_and_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="poll",
            name="join_code",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(fill_join_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="poll",
            name="join_code",
            field=models.CharField(
                default=polls.joincodes.join_code_random,
                editable=False,
                help_text="The short code a room types to open the poll: /j/<code>.",
                max_length=8,
                unique=True,
            ),
        ),
    ]
