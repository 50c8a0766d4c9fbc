from django.db import models


class Poll(models.Model):
    """The commented object: the same question, intro and choices as the socialpoll poll."""

    question = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    intro = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return f"/polls/{self.slug}/"


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    votes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.text
