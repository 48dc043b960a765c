"""``{% load social_tiles %}``: what a post's grid tile says about its picture (social.lightbox)."""

from django import template

from social.lightbox import post_picture_label

register = template.Library()


@register.filter
def picture_label(post) -> str:
    """``{% picture post alt=post|picture_label %}``: the image link's accessible name."""
    return post_picture_label(post)
