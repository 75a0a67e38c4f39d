from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yanxiu.accounts"
    label = "accounts"
