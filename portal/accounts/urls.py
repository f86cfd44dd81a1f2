from django.urls import path

from . import token_views

app_name = "accounts"
urlpatterns = [
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<pk:pk>/revoke/", token_views.revoke, name="revoke_token"),
]
